import { startFakePostgrest, type FakePostgrest } from '../test/store/fake-postgrest.js';

/** The service key the bench's bot and its fake data API share. */
export const SUPABASE_KEY = 'bench-service-role-key';

/**
 * Supabase's data API for a bot under load: an empty catalogue and the dashboard's records
 * accepted, in PostgREST's shapes (`test/store/fake-postgrest.ts`). Enough to weigh the bot
 * with its database elsewhere, which is what a Supabase shop runs.
 */
export async function startBenchSupabase(): Promise<FakePostgrest & { readonly env: Record<string, string> }> {
  const fake = await startFakePostgrest(SUPABASE_KEY);
  fake.on('GET', '/products', { status: 200, body: [] });
  fake.on('GET', '/delivery_zones', { status: 200, body: [] });
  fake.on('POST', '/rpc/record_conversation_events', { status: 200, body: null });
  return Object.assign(fake, { env: { SUPABASE_URL: fake.url, SUPABASE_SERVICE_ROLE_KEY: SUPABASE_KEY } });
}

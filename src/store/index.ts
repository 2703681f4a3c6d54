/**
 * The shop's data layer: one schema (`supabase/migrations`), two engines — PGlite embedded
 * in the process (default) or Supabase (production).
 */
export { applyMigrations, createEmbeddedStore, type EmbeddedStoreOptions } from './embedded.js';
export {
  fromDatabaseError,
  isOrderRejectionCode,
  ORDER_REJECTION_CODES,
  OrderRejectedError,
  StoreError,
  type OrderRejectionCode,
  type StoreErrorCode,
} from './errors.js';
export { createSupabaseStore, type SupabaseStoreOptions } from './supabase.js';
export * from './types.js';
export type * from './records.js';
export * from './payments.js';

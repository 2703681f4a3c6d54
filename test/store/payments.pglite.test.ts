import { afterAll, beforeAll } from 'vitest';
import { openPglite, type SqlEngine } from './engines.js';
import { describePaymentsSql } from './payments-suite.js';

let db: SqlEngine;
beforeAll(async () => {
  db = await openPglite();
});
afterAll(async () => {
  await db?.close();
});

describePaymentsSql('PGlite', () => db);

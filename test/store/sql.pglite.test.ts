import { afterAll, beforeAll } from 'vitest';
import { openPglite, type SqlEngine } from './engines.js';
import { describeCheckoutSql } from './checkout-sql-suite.js';
import { describePlaceOrder } from './place-order-suite.js';
import { describeStatusAndSecurity } from './status-security-suite.js';

let db: SqlEngine;
beforeAll(async () => {
  db = await openPglite();
});
afterAll(async () => {
  await db?.close();
});

describePlaceOrder('PGlite', () => db);
describeStatusAndSecurity('PGlite', () => db);
describeCheckoutSql('PGlite', () => db);

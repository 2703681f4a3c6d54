import { afterAll, beforeAll } from 'vitest';
import { openPostgres, type SqlEngine } from './engines.js';
import { describeRecordsSql } from './records-suite.js';

let db: SqlEngine;
beforeAll(async () => {
  db = await openPostgres();
});
afterAll(async () => {
  await db?.close();
});

describeRecordsSql('PostgreSQL', () => db);

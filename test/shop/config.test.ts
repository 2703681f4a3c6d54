import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_SHOP, loadShopConfig } from '../../src/shop/config.js';

const file = (content: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'akwaba-shop-')), 'shop.json');
  writeFileSync(path, content);
  return path;
};

describe('the shop configuration file', () => {
  it('is the demo shop without a file', () => {
    expect(loadShopConfig(undefined)).toEqual(DEMO_SHOP);
  });

  it('the example file in the repository is valid and is the demo shop', () => {
    expect(loadShopConfig(join(import.meta.dirname, '..', '..', 'shop.example.json'))).toEqual(DEMO_SHOP);
  });

  it('lets another shop change its identity without touching the code', () => {
    const shop = loadShopConfig(file(JSON.stringify({ name: 'Boutique Awa', city: 'Dakar', country: 'sn' })));
    expect(shop).toMatchObject({ name: 'Boutique Awa', city: 'Dakar', country: 'SN', currency: 'FCFA' });
  });

  it.each([
    ['{ "name": "" }', /"name" is not valid/],
    ['{ "country": "France" }', /"country" is not valid/],
    ['{ "nmae": "typo" }', /"\(the file\)" is not valid|"nmae"/],
    ['{ not json', /is not valid JSON/],
  ])('names the problem in a malformed file: %s', (content, message) => {
    expect(() => loadShopConfig(file(content))).toThrow(message);
  });

  it('names a missing file', () => {
    expect(() => loadShopConfig('/nowhere/shop.json')).toThrow(/^SHOP_CONFIG: \/nowhere\/shop.json does not exist/);
  });
});

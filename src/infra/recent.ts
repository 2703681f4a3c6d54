/**
 * Puts `key` last in `map` (a Map keeps insertion order, so last is most recent) and forgets the
 * least recent entry once the map holds more than `max`: a bounded memory of recent keys.
 */
export function setRecent<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as K);
}

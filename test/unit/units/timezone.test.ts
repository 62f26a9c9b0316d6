import { describe, expect, it } from 'vitest';
import { isValidTimeZone, suggestTimeZone } from '../../../compiler/units/timezone.js';

describe('isValidTimeZone', () => {
  it.each([
    'Europe/Paris',
    'America/New_York',
    'America/Argentina/Buenos_Aires',
    'Asia/Kolkata',
    'Asia/Calcutta',
    'Europe/Kyiv',
    'Pacific/Kanton',
    'UTC',
    'Etc/UTC',
    'Etc/GMT',
    'Etc/GMT+5',
    'Etc/GMT-14',
    'Etc/GMT+12',
  ])('accepts %s', (name) => {
    expect(isValidTimeZone(name)).toBe(true);
  });

  it.each([
    ['a name in the wrong case', 'europe/paris'],
    ['a misspelt name', 'Europe/Pari'],
    ['a made-up zone', 'Mars/Olympus'],
    ['an empty name', ''],
    ['an offset past what exists', 'Etc/GMT+13'],
    ['a legacy alias', 'US/Pacific'],
    ['an abbreviation', 'CET'],
    ['lowercase utc', 'utc'],
  ])('refuses %s (%s)', (_, name) => {
    expect(isValidTimeZone(name)).toBe(false);
  });
});

describe('suggestTimeZone', () => {
  it.each([
    ['Europe/Pari', 'Europe/Paris'],
    ['europe/paris', 'Europe/Paris'],
    ['America/New_york', 'America/New_York'],
    ['America/NewYork', 'America/New_York'],
    ['asia/kolkata', 'Asia/Kolkata'],
    ['Asia/Calcuta', 'Asia/Calcutta'],
    ['US/Pacific', 'America/Los_Angeles'],
    ['utc', 'UTC'],
    ['GMT', 'UTC'],
    ['Zulu', 'UTC'],
  ])('suggests %s -> %s', (name, suggestion) => {
    expect(suggestTimeZone(name)).toBe(suggestion);
  });

  it.each(['Mars/Olympus', 'Nowhere'])('suggests nothing for %s, which is not close to any zone', (name) => {
    expect(suggestTimeZone(name)).toBeUndefined();
  });
});

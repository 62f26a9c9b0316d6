import type { JsonValue } from '../ir.js';

/**
 * Value semantics of expressions, after GitHub Actions: loose equality that converts to numbers
 * when types differ, and JavaScript-like truthiness. Unlike GitHub, strings compare exactly
 * (case-sensitive), and arrays and objects compare by content.
 */

export type ValueType = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

/** The JSON type of a value. */
export function typeOfValue(value: JsonValue): ValueType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    default:
      return 'object';
  }
}

/** Falsy values are `false`, `0`, `''` and `null`; arrays and objects are truthy even when empty. */
export function isTruthy(value: JsonValue): boolean {
  return value !== false && value !== 0 && value !== '' && value !== null;
}

/** GitHub's number conversion: `null` and `''` are 0, booleans 1 or 0, arrays and objects NaN. */
export function toNumber(value: JsonValue): number {
  if (value === null) return 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return value.trim() === '' ? 0 : Number(value);
  return Number.NaN;
}

/** GitHub's string conversion: `null` is `''`; arrays and objects become compact JSON. */
export function toText(value: JsonValue): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** `==`: same type compares by value (content for arrays and objects); different scalar types as numbers. */
export function looseEquals(left: JsonValue, right: JsonValue): boolean {
  const leftType = typeOfValue(left);
  const rightType = typeOfValue(right);
  if (leftType === rightType) return deepEquals(left, right);
  const scalars = ['null', 'boolean', 'number', 'string'];
  if (!scalars.includes(leftType) || !scalars.includes(rightType)) return false;
  return toNumber(left) === toNumber(right);
}

function deepEquals(left: JsonValue, right: JsonValue): boolean {
  if (left === right) return true;
  if (Array.isArray(left) && Array.isArray(right)) {
    return left.length === right.length && left.every((item, i) => deepEquals(item, right[i] ?? null));
  }
  if (isObject(left) && isObject(right)) {
    const keys = Object.keys(left);
    return (
      keys.length === Object.keys(right).length &&
      keys.every((key) => Object.hasOwn(right, key) && deepEquals(left[key] ?? null, right[key] ?? null))
    );
  }
  return false;
}

function isObject(value: JsonValue): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Orders two values for `<`, `<=`, `>`, `>=`: two strings by code unit, anything else as
 * numbers. `undefined` when they cannot be ordered (NaN, arrays, objects): every comparison is false.
 */
export function compareValues(left: JsonValue, right: JsonValue): -1 | 0 | 1 | undefined {
  if (typeof left === 'string' && typeof right === 'string') return left < right ? -1 : left > right ? 1 : 0;
  const a = toNumber(left);
  const b = toNumber(right);
  if (Number.isNaN(a) || Number.isNaN(b)) return undefined;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One step of a name's path: an object's own property or an array's item, else `null`. */
export function member(value: JsonValue, key: string | number): JsonValue {
  if (Array.isArray(value)) return typeof key === 'number' ? (value[key] ?? null) : null;
  if (isObject(value)) {
    const name = String(key);
    return Object.hasOwn(value, name) ? (value[name] ?? null) : null;
  }
  return null;
}

import type { Resources } from '../ir.js';
import { fail, ok, type UnitFailure, type UnitResult } from './result.js';

/** A Fargate task size: `cpu` in CPU units (1024 = 1 vCPU), `memory` in MiB. */
export interface FargateSize {
  readonly cpu: number;
  readonly memory: number;
}

/** `resources` as written in a job or in `spec.defaults`. */
export interface ResourceRequest {
  /** vCPU: `"0.25"`, `2`, or millicores `"500m"`. @default 0.25 */
  readonly cpu?: string | number;
  /** `"512Mi"`, `"4Gi"`, or a bare number of MiB. @default "512Mi" */
  readonly memory?: string | number;
  /** Ephemeral storage, `"30Gi"` or a bare number of GiB, 21 to 200. @default 20 GiB, Fargate's own */
  readonly disk?: string | number;
}

/** A resources failure, with the field the caller should point at. */
export interface ResourceFailure extends UnitFailure {
  readonly field: keyof ResourceRequest;
}

export const DEFAULT_CPU_VCPU = 0.25;
export const DEFAULT_MEMORY_MIB = 512;
/** Fargate's ephemeral storage when a task definition does not ask for more. */
export const DEFAULT_DISK_GIB = 20;
export const MIN_DISK_GIB = 21;
export const MAX_DISK_GIB = 200;
/** The largest Fargate size: 16 vCPU with 32Gi to 120Gi. */
export const MAX_CPU_VCPU = 16;
export const MAX_MEMORY_MIB = 122_880;
const LARGEST_MIN_MEMORY_MIB = 32_768;

interface FargateRow {
  readonly cpu: number;
  readonly memories: readonly number[];
}

function steps(from: number, to: number, step: number): number[] {
  return Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);
}

/** Valid Linux Fargate task sizes (ECS developer guide, "Task CPU and memory"), smallest CPU first. */
export const FARGATE_SIZES: readonly FargateRow[] = [
  { cpu: 256, memories: [512, 1024, 2048] },
  { cpu: 512, memories: steps(1024, 4096, 1024) },
  { cpu: 1024, memories: steps(2048, 8192, 1024) },
  { cpu: 2048, memories: steps(4096, 16384, 1024) },
  { cpu: 4096, memories: steps(8192, 30720, 1024) },
  { cpu: 8192, memories: steps(16384, 61440, 4096) },
  { cpu: 16384, memories: steps(32768, 122880, 8192) },
];

const CPU_EXAMPLES = 'write a number of vCPU like "0.25" or "2", or millicores like "500m"';
const MEMORY_EXAMPLES = 'write a size like "512Mi" or "4Gi" (a bare number is MiB)';
const DISK_EXAMPLES = `write a size from "${MIN_DISK_GIB}Gi" to "${MAX_DISK_GIB}Gi" (a bare number is GiB)`;
/** A bare memory number up to 120 (the most GiB Fargate has) may well be GiB written without a unit. */
const AMBIGUOUS_BARE_MIB = 120;

/** Parses `cpu` (`"0.25"`, `"2"`, `2`, `"500m"` millicores) into vCPU. */
export function parseCpu(input: string | number): UnitResult<number> {
  const text = String(input).trim();
  const shown = typeof input === 'number' ? text : `"${text}"`;
  const vcpu = typeof input === 'number' ? input : readVcpu(text);
  if (vcpu === undefined) {
    const upper = /^\d+M$/.test(text);
    const hint = upper ? `millicores take a lowercase m: write "${text.slice(0, -1)}m"` : CPU_EXAMPLES;
    return fail(`cpu ${shown} is not a number of vCPU`, hint);
  }
  if (!Number.isFinite(vcpu)) return fail(`cpu ${shown} is not a finite number`, CPU_EXAMPLES);
  if (vcpu <= 0) return fail(`cpu ${shown} must be more than 0`, 'the smallest Fargate size is "0.25" vCPU');
  return ok(vcpu);
}

function readVcpu(text: string): number | undefined {
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text);
  if (/^\d+m$/.test(text)) return Number(text.slice(0, -1)) / 1000;
  return undefined;
}

/** Parses `memory` (`"512Mi"`, `"4Gi"`, `"1.5Gi"`, or a bare number of MiB) into whole MiB. */
export function parseMemory(input: string | number): UnitResult<number> {
  const { shown, amount, unit } = splitSize(input);
  if (!Number.isFinite(amount)) return fail(`memory ${shown} is not a size`, MEMORY_EXAMPLES);
  const scale = unit === '' || unit === 'Mi' ? 1 : unit === 'Gi' ? 1024 : undefined;
  if (scale === undefined) return wrongUnit('memory', shown, amount, unit, MEMORY_EXAMPLES);
  const mib = amount * scale;
  if (mib <= 0) return fail(`memory ${shown} must be more than 0`, MEMORY_EXAMPLES);
  if (!Number.isInteger(mib)) return fail(`memory ${shown} is not a whole number of MiB`, MEMORY_EXAMPLES);
  if (unit === '' && mib <= AMBIGUOUS_BARE_MIB) {
    return fail(
      `memory ${shown} is ${mib} MiB, less than the smallest Fargate size of 512 MiB`,
      `a bare number is MiB: write "${amount}Gi" for ${amount} GiB, or "${amount}Mi" if you mean MiB`,
    );
  }
  return ok(mib);
}

/**
 * Parses `disk` (`"30Gi"`, or a bare number of GiB) into whole GiB, 21 to 200.
 * Absent means Fargate's default of 20 GiB, which the caller applies.
 */
export function parseDisk(input: string | number): UnitResult<number> {
  const { shown, amount, unit } = splitSize(input);
  if (!Number.isFinite(amount)) return fail(`disk ${shown} is not a size`, DISK_EXAMPLES);
  const scale = unit === '' || unit === 'Gi' ? 1 : unit === 'Mi' ? 1 / 1024 : undefined;
  if (scale === undefined) return wrongUnit('disk', shown, amount, unit, DISK_EXAMPLES);
  const gib = amount * scale;
  if (!Number.isInteger(gib)) return fail(`disk ${shown} is not a whole number of GiB`, DISK_EXAMPLES);
  return checkDiskRange(gib, shown);
}

/** Splits `"4Gi"` into 4 and `Gi`; `amount` is NaN when the text is not a number and a unit. */
function splitSize(input: string | number): { shown: string; amount: number; unit: string } {
  if (typeof input === 'number') return { shown: String(input), amount: input, unit: '' };
  const text = input.trim();
  const match = /^(\d+(?:\.\d+)?)([A-Za-z]*)$/.exec(text);
  return {
    shown: `"${text}"`,
    amount: match === null ? Number.NaN : Number(match[1]),
    unit: match?.[2] ?? '',
  };
}

function checkDiskRange(gib: number, shown: string): UnitResult<number> {
  const range = `${MIN_DISK_GIB}Gi to ${MAX_DISK_GIB}Gi`;
  if (gib > MAX_DISK_GIB) {
    return fail(
      `disk ${shown} is more than ${MAX_DISK_GIB}Gi, the most Fargate gives a task`,
      `ask for ${range}`,
    );
  }
  if (gib < MIN_DISK_GIB) {
    const what = gib === DEFAULT_DISK_GIB ? 'is' : 'is less than';
    return fail(
      `disk ${shown} ${what} Fargate's default of ${DEFAULT_DISK_GIB}Gi; an explicit disk must be ${range}`,
      `remove "disk" to get the default ${DEFAULT_DISK_GIB}Gi, or ask for ${range}`,
    );
  }
  return ok(gib);
}

/** Decimal (`G`, `MB`) and miscased units are refused: the hint gives the binary unit meant. */
function wrongUnit(
  field: 'memory' | 'disk',
  shown: string,
  amount: number,
  unit: string,
  examples: string,
): UnitResult<number> {
  const binary = /^m(ib?|b)?$/i.test(unit) ? 'Mi' : /^g(ib?|b)?$/i.test(unit) ? 'Gi' : undefined;
  if (binary === undefined) {
    return fail(
      `${field} ${shown} has unknown unit "${unit}"; the units are Mi (MiB) and Gi (GiB)`,
      examples,
    );
  }
  const message = /^[MG]B?$/.test(unit)
    ? `${field} ${shown} uses the decimal unit "${unit}"; sizes take the binary units Mi (MiB) and Gi (GiB)`
    : `${field} ${shown} has unit "${unit}"; the units are written exactly Mi (MiB) and Gi (GiB)`;
  return fail(message, `write "${amount}${binary}"`);
}

/** The smallest Fargate size covering `cpuVcpu` and `memoryMiB`: least CPU first, then least memory. */
export function fargateSize(cpuVcpu: number, memoryMiB: number): UnitResult<FargateSize> {
  if (!(cpuVcpu > 0) || !Number.isFinite(cpuVcpu)) {
    return fail(`cpu ${cpuVcpu} vCPU must be a number more than 0`, CPU_EXAMPLES);
  }
  if (!(memoryMiB > 0) || !Number.isFinite(memoryMiB)) {
    return fail(`memory ${memoryMiB} MiB must be a number more than 0`, MEMORY_EXAMPLES);
  }
  for (const row of FARGATE_SIZES) {
    if (row.cpu / 1024 < cpuVcpu) continue;
    const memory = row.memories.find((m) => m >= memoryMiB);
    if (memory !== undefined) return ok({ cpu: row.cpu, memory });
  }
  return noFit(cpuVcpu, memoryMiB);
}

function noFit(cpuVcpu: number, memoryMiB: number): UnitFailure {
  const largest = `${MAX_CPU_VCPU} vCPU with ${formatMemory(LARGEST_MIN_MEMORY_MIB)}..${formatMemory(MAX_MEMORY_MIB)}`;
  if (cpuVcpu > MAX_CPU_VCPU) {
    // 1024 written as cpu is almost always CPU units (task definition style), not 1024 vCPU.
    const units = FARGATE_SIZES.some((row) => row.cpu === cpuVcpu);
    return fail(
      `no Fargate size has ${cpuVcpu} vCPU; the largest is ${largest}`,
      units
        ? `cpu is in vCPU, not CPU units: ${cpuVcpu} units is "${cpuVcpu / 1024}"`
        : `ask for at most ${MAX_CPU_VCPU} vCPU`,
    );
  }
  return fail(
    `no Fargate size has ${formatMemory(memoryMiB)} of memory; the largest is ${largest}`,
    `ask for at most ${formatMemory(MAX_MEMORY_MIB)}`,
  );
}

/** Resolves a job's `resources` into a Fargate size; absent fields come from `spec.defaults.resources`. */
export function resolveResources(
  request: ResourceRequest,
  defaults: ResourceRequest = {},
): UnitResult<Resources, ResourceFailure> {
  const cpu = resolveField('cpu', request.cpu ?? defaults.cpu, parseCpu, DEFAULT_CPU_VCPU);
  if (!cpu.ok) return cpu;
  const memory = resolveField('memory', request.memory ?? defaults.memory, parseMemory, DEFAULT_MEMORY_MIB);
  if (!memory.ok) return memory;
  const disk = resolveField('disk', request.disk ?? defaults.disk, parseDisk, DEFAULT_DISK_GIB);
  if (!disk.ok) return disk;
  const size = fargateSize(cpu.value, memory.value);
  if (!size.ok) return { ...size, field: cpu.value > MAX_CPU_VCPU ? 'cpu' : 'memory' };
  return ok({ cpu: cpu.value, memoryMiB: memory.value, diskGiB: disk.value, fargate: size.value });
}

function resolveField(
  field: keyof ResourceRequest,
  input: string | number | undefined,
  parse: (input: string | number) => UnitResult<number>,
  fallback: number,
): UnitResult<number, ResourceFailure> {
  if (input === undefined) return ok(fallback);
  const result = parse(input);
  return result.ok ? result : { ...result, field };
}

/** `4Gi` when a whole number of GiB, else `1536Mi`. */
export function formatMemory(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024}Gi` : `${mib}Mi`;
}

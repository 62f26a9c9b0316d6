import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FARGATE_SIZES,
  type FargateSize,
  fargateSize,
  formatMemory,
  parseCpu,
  parseDisk,
  parseMemory,
  resolveResources,
} from '../../../compiler/units/fargate.js';
import type { UnitResult } from '../../../compiler/units/result.js';

/** One line per input: the value, or the message and hint a user would see. */
function render<T>(
  inputs: ReadonlyArray<string | number>,
  parse: (input: string | number) => UnitResult<T>,
): string {
  return inputs
    .map((input) => {
      const result = parse(input);
      const shown = typeof input === 'string' ? `"${input}"` : String(input);
      if (result.ok) return `${shown} -> ${JSON.stringify(result.value)}`;
      return `${shown} -> ${result.message}${result.hint === undefined ? '' : ` [hint: ${result.hint}]`}`;
    })
    .join('\n');
}

const allSizes: readonly FargateSize[] = FARGATE_SIZES.flatMap((row) =>
  row.memories.map((memory) => ({ cpu: row.cpu, memory })),
);

describe('the Fargate size table', () => {
  it('lists the Linux task sizes of the ECS developer guide', () => {
    const rows = FARGATE_SIZES.map((row) => `${row.cpu}: ${row.memories.map(formatMemory).join(' ')}`);
    expect(rows).toStrictEqual([
      '256: 512Mi 1Gi 2Gi',
      '512: 1Gi 2Gi 3Gi 4Gi',
      '1024: 2Gi 3Gi 4Gi 5Gi 6Gi 7Gi 8Gi',
      '2048: 4Gi 5Gi 6Gi 7Gi 8Gi 9Gi 10Gi 11Gi 12Gi 13Gi 14Gi 15Gi 16Gi',
      '4096: 8Gi 9Gi 10Gi 11Gi 12Gi 13Gi 14Gi 15Gi 16Gi 17Gi 18Gi 19Gi 20Gi 21Gi 22Gi 23Gi 24Gi 25Gi 26Gi 27Gi 28Gi 29Gi 30Gi',
      '8192: 16Gi 20Gi 24Gi 28Gi 32Gi 36Gi 40Gi 44Gi 48Gi 52Gi 56Gi 60Gi',
      '16384: 32Gi 40Gi 48Gi 56Gi 64Gi 72Gi 80Gi 88Gi 96Gi 104Gi 112Gi 120Gi',
    ]);
  });
});

describe('parseCpu', () => {
  it.each([
    ['0.25', 0.25],
    ['2', 2],
    [2, 2],
    [0.5, 0.5],
    ['500m', 0.5],
    ['250m', 0.25],
    ['1500m', 1.5],
    ['16', 16],
    [' 4 ', 4],
  ])('reads %s as %d vCPU', (input, vcpu) => {
    expect(parseCpu(input)).toStrictEqual({ ok: true, value: vcpu });
  });

  it('explains every rejected cpu', () => {
    expect(
      render(['', 'two', '0', 0, '0m', -1, '-1', '1.5 vCPU', '500M', '2 cores', Number.NaN], parseCpu),
    ).toMatchInlineSnapshot(`
      """ -> cpu "" is not a number of vCPU [hint: write a number of vCPU like "0.25" or "2", or millicores like "500m"]
      "two" -> cpu "two" is not a number of vCPU [hint: write a number of vCPU like "0.25" or "2", or millicores like "500m"]
      "0" -> cpu "0" must be more than 0 [hint: the smallest Fargate size is "0.25" vCPU]
      0 -> cpu 0 must be more than 0 [hint: the smallest Fargate size is "0.25" vCPU]
      "0m" -> cpu "0m" must be more than 0 [hint: the smallest Fargate size is "0.25" vCPU]
      -1 -> cpu -1 must be more than 0 [hint: the smallest Fargate size is "0.25" vCPU]
      "-1" -> cpu "-1" is not a number of vCPU [hint: write a number of vCPU like "0.25" or "2", or millicores like "500m"]
      "1.5 vCPU" -> cpu "1.5 vCPU" is not a number of vCPU [hint: write a number of vCPU like "0.25" or "2", or millicores like "500m"]
      "500M" -> cpu "500M" is not a number of vCPU [hint: millicores take a lowercase m: write "500m"]
      "2 cores" -> cpu "2 cores" is not a number of vCPU [hint: write a number of vCPU like "0.25" or "2", or millicores like "500m"]
      NaN -> cpu NaN is not a finite number [hint: write a number of vCPU like "0.25" or "2", or millicores like "500m"]"
    `);
  });
});

describe('parseMemory', () => {
  it.each([
    ['512Mi', 512],
    ['4Gi', 4_096],
    ['1.5Gi', 1_536],
    ['0.5Gi', 512],
    ['120Gi', 122_880],
    [2_048, 2_048],
    ['2048', 2_048],
    ['121', 121],
    ['4Mi', 4],
  ])('reads %s as %i MiB', (input, mib) => {
    expect(parseMemory(input)).toStrictEqual({ ok: true, value: mib });
  });

  it('refuses decimal and miscased units, naming the binary unit meant', () => {
    const inputs = ['1G', '512M', '4GB', '512MB', '4gi', '4GiB', '512mi', '1Ti', '2Ki', 'lots', '4 Gi'];
    expect(render(inputs, parseMemory)).toMatchInlineSnapshot(`
      ""1G" -> memory "1G" uses the decimal unit "G"; sizes take the binary units Mi (MiB) and Gi (GiB) [hint: write "1Gi"]
      "512M" -> memory "512M" uses the decimal unit "M"; sizes take the binary units Mi (MiB) and Gi (GiB) [hint: write "512Mi"]
      "4GB" -> memory "4GB" uses the decimal unit "GB"; sizes take the binary units Mi (MiB) and Gi (GiB) [hint: write "4Gi"]
      "512MB" -> memory "512MB" uses the decimal unit "MB"; sizes take the binary units Mi (MiB) and Gi (GiB) [hint: write "512Mi"]
      "4gi" -> memory "4gi" has unit "gi"; the units are written exactly Mi (MiB) and Gi (GiB) [hint: write "4Gi"]
      "4GiB" -> memory "4GiB" has unit "GiB"; the units are written exactly Mi (MiB) and Gi (GiB) [hint: write "4Gi"]
      "512mi" -> memory "512mi" has unit "mi"; the units are written exactly Mi (MiB) and Gi (GiB) [hint: write "512Mi"]
      "1Ti" -> memory "1Ti" has unknown unit "Ti"; the units are Mi (MiB) and Gi (GiB) [hint: write a size like "512Mi" or "4Gi" (a bare number is MiB)]
      "2Ki" -> memory "2Ki" has unknown unit "Ki"; the units are Mi (MiB) and Gi (GiB) [hint: write a size like "512Mi" or "4Gi" (a bare number is MiB)]
      "lots" -> memory "lots" is not a size [hint: write a size like "512Mi" or "4Gi" (a bare number is MiB)]
      "4 Gi" -> memory "4 Gi" is not a size [hint: write a size like "512Mi" or "4Gi" (a bare number is MiB)]"
    `);
  });

  it('refuses sizes that are not a positive whole number of MiB', () => {
    expect(render(['0.1Gi', '1.5Mi', 1.5, '0Mi', 0, -512], parseMemory)).toMatchInlineSnapshot(`
      ""0.1Gi" -> memory "0.1Gi" is not a whole number of MiB [hint: write a size like "512Mi" or "4Gi" (a bare number is MiB)]
      "1.5Mi" -> memory "1.5Mi" is not a whole number of MiB [hint: write a size like "512Mi" or "4Gi" (a bare number is MiB)]
      1.5 -> memory 1.5 is not a whole number of MiB [hint: write a size like "512Mi" or "4Gi" (a bare number is MiB)]
      "0Mi" -> memory "0Mi" must be more than 0 [hint: write a size like "512Mi" or "4Gi" (a bare number is MiB)]
      0 -> memory 0 must be more than 0 [hint: write a size like "512Mi" or "4Gi" (a bare number is MiB)]
      -512 -> memory -512 must be more than 0 [hint: write a size like "512Mi" or "4Gi" (a bare number is MiB)]"
    `);
  });

  it('refuses a small bare number, which is GiB written without a unit far more often than MiB', () => {
    expect(render([4, '8', 120], parseMemory)).toMatchInlineSnapshot(`
      "4 -> memory 4 is 4 MiB, less than the smallest Fargate size of 512 MiB [hint: a bare number is MiB: write "4Gi" for 4 GiB, or "4Mi" if you mean MiB]
      "8" -> memory "8" is 8 MiB, less than the smallest Fargate size of 512 MiB [hint: a bare number is MiB: write "8Gi" for 8 GiB, or "8Mi" if you mean MiB]
      120 -> memory 120 is 120 MiB, less than the smallest Fargate size of 512 MiB [hint: a bare number is MiB: write "120Gi" for 120 GiB, or "120Mi" if you mean MiB]"
    `);
  });
});

describe('parseDisk', () => {
  it.each([
    ['30Gi', 30],
    ['21Gi', 21],
    ['200Gi', 200],
    [30, 30],
    ['30', 30],
    ['30720Mi', 30],
  ])('reads %s as %i GiB', (input, gib) => {
    expect(parseDisk(input)).toStrictEqual({ ok: true, value: gib });
  });

  it('explains every rejected disk', () => {
    const inputs = ['20Gi', 20, '10Gi', '201Gi', '1Ti', '30G', '30GB', '1.5Gi', '1000Mi', 'big'];
    expect(render(inputs, parseDisk)).toMatchInlineSnapshot(`
      ""20Gi" -> disk "20Gi" is Fargate's default of 20Gi; an explicit disk must be 21Gi to 200Gi [hint: remove "disk" to get the default 20Gi, or ask for 21Gi to 200Gi]
      20 -> disk 20 is Fargate's default of 20Gi; an explicit disk must be 21Gi to 200Gi [hint: remove "disk" to get the default 20Gi, or ask for 21Gi to 200Gi]
      "10Gi" -> disk "10Gi" is less than Fargate's default of 20Gi; an explicit disk must be 21Gi to 200Gi [hint: remove "disk" to get the default 20Gi, or ask for 21Gi to 200Gi]
      "201Gi" -> disk "201Gi" is more than 200Gi, the most Fargate gives a task [hint: ask for 21Gi to 200Gi]
      "1Ti" -> disk "1Ti" has unknown unit "Ti"; the units are Mi (MiB) and Gi (GiB) [hint: write a size from "21Gi" to "200Gi" (a bare number is GiB)]
      "30G" -> disk "30G" uses the decimal unit "G"; sizes take the binary units Mi (MiB) and Gi (GiB) [hint: write "30Gi"]
      "30GB" -> disk "30GB" uses the decimal unit "GB"; sizes take the binary units Mi (MiB) and Gi (GiB) [hint: write "30Gi"]
      "1.5Gi" -> disk "1.5Gi" is not a whole number of GiB [hint: write a size from "21Gi" to "200Gi" (a bare number is GiB)]
      "1000Mi" -> disk "1000Mi" is not a whole number of GiB [hint: write a size from "21Gi" to "200Gi" (a bare number is GiB)]
      "big" -> disk "big" is not a size [hint: write a size from "21Gi" to "200Gi" (a bare number is GiB)]"
    `);
  });
});

describe('fargateSize', () => {
  it.each([
    // 256: 512, 1024, 2048
    [0.25, 512, 256, 512],
    [0.25, 1_024, 256, 1_024],
    [0.25, 1_536, 256, 2_048],
    [0.25, 2_048, 256, 2_048],
    [0.25, 2_049, 512, 3_072],
    // 512: 1024..4096 by 1024
    [0.5, 512, 512, 1_024],
    [0.5, 4_096, 512, 4_096],
    [0.5, 4_097, 1_024, 5_120],
    // 1024: 2048..8192 by 1024
    [1, 512, 1_024, 2_048],
    [1, 3_072, 1_024, 3_072],
    [1, 8_192, 1_024, 8_192],
    [1, 8_193, 2_048, 9_216],
    // 2048: 4096..16384 by 1024
    [2, 1, 2_048, 4_096],
    [2, 16_384, 2_048, 16_384],
    [2, 16_385, 4_096, 17_408],
    // 4096: 8192..30720 by 1024
    [4, 8_192, 4_096, 8_192],
    [4, 30_720, 4_096, 30_720],
    [4, 30_721, 8_192, 32_768],
    // 8192: 16384..61440 by 4096
    [8, 16_384, 8_192, 16_384],
    [8, 16_385, 8_192, 20_480],
    [8, 61_440, 8_192, 61_440],
    [8, 61_441, 16_384, 65_536],
    // 16384: 32768..122880 by 8192
    [16, 32_768, 16_384, 32_768],
    [16, 32_769, 16_384, 40_960],
    [16, 122_880, 16_384, 122_880],
  ])('rounds %d vCPU and %i MiB up to %i/%i', (cpu, memory, expectedCpu, expectedMemory) => {
    expect(fargateSize(cpu, memory)).toStrictEqual({
      ok: true,
      value: { cpu: expectedCpu, memory: expectedMemory },
    });
  });

  it.each([
    [0.1, 100, 256, 512],
    [0.3, 512, 512, 1_024],
    [1.5, 2_048, 2_048, 4_096],
    [0.25, 8_192, 1_024, 8_192],
    [0.25, 100 * 1_024, 16_384, 104 * 1_024],
    [12, 1, 16_384, 32_768],
  ])('rounds %d vCPU and %i MiB up to %i/%i, the cpu too when the memory needs it', (cpu, memory, c, m) => {
    expect(fargateSize(cpu, memory)).toStrictEqual({ ok: true, value: { cpu: c, memory: m } });
  });

  it('picks the least cpu, then the least memory, among the sizes that cover the request', () => {
    const request = fc.record({
      cpu: fc.double({ min: 0.01, max: 16, noNaN: true }),
      memory: fc.integer({ min: 1, max: 122_880 }),
    });
    fc.assert(
      fc.property(request, ({ cpu, memory }) => {
        const covering = allSizes.filter((size) => size.cpu / 1_024 >= cpu && size.memory >= memory);
        const [best] = [...covering].sort((a, b) => a.cpu - b.cpu || a.memory - b.memory);
        expect(fargateSize(cpu, memory)).toStrictEqual({ ok: true, value: best });
      }),
    );
  });

  it('names the largest size when nothing covers the request', () => {
    const requests: ReadonlyArray<readonly [number, number]> = [
      [32, 512],
      [16.5, 512],
      [1_024, 2_048],
      [16, 200 * 1_024],
      [1, 122_881],
      [0, 512],
      [1, Number.NaN],
    ];
    const lines = requests.map(([cpu, memory]) => {
      const result = fargateSize(cpu, memory);
      return result.ok ? 'fits' : `${cpu}, ${memory} -> ${result.message} [hint: ${result.hint ?? ''}]`;
    });
    expect(lines.join('\n')).toMatchInlineSnapshot(`
      "32, 512 -> no Fargate size has 32 vCPU; the largest is 16 vCPU with 32Gi..120Gi [hint: ask for at most 16 vCPU]
      16.5, 512 -> no Fargate size has 16.5 vCPU; the largest is 16 vCPU with 32Gi..120Gi [hint: ask for at most 16 vCPU]
      1024, 2048 -> no Fargate size has 1024 vCPU; the largest is 16 vCPU with 32Gi..120Gi [hint: cpu is in vCPU, not CPU units: 1024 units is "1"]
      16, 204800 -> no Fargate size has 200Gi of memory; the largest is 16 vCPU with 32Gi..120Gi [hint: ask for at most 120Gi]
      1, 122881 -> no Fargate size has 122881Mi of memory; the largest is 16 vCPU with 32Gi..120Gi [hint: ask for at most 120Gi]
      0, 512 -> cpu 0 vCPU must be a number more than 0 [hint: write a number of vCPU like "0.25" or "2", or millicores like "500m"]
      1, NaN -> memory NaN MiB must be a number more than 0 [hint: write a size like "512Mi" or "4Gi" (a bare number is MiB)]"
    `);
  });
});

describe('resolveResources', () => {
  it('uses 0.25 vCPU, 512Mi and 20 GiB of disk when nothing is asked', () => {
    // Act
    const result = resolveResources({});

    // Assess
    expect(result).toStrictEqual({
      ok: true,
      value: { cpu: 0.25, memoryMiB: 512, diskGiB: 20, fargate: { cpu: 256, memory: 512 } },
    });
  });

  it('rounds 1 vCPU and 3Gi up to 1024/3072 and keeps the disk asked for', () => {
    expect(resolveResources({ cpu: '1', memory: '3Gi', disk: '30Gi' })).toStrictEqual({
      ok: true,
      value: { cpu: 1, memoryMiB: 3_072, diskGiB: 30, fargate: { cpu: 1_024, memory: 3_072 } },
    });
  });

  it('takes each absent field from the workflow defaults', () => {
    // Prepare
    const defaults = { cpu: '0.5', memory: '1Gi', disk: 50 };

    // Act
    const result = resolveResources({ cpu: '2' }, defaults);

    // Assess
    expect(result).toStrictEqual({
      ok: true,
      value: { cpu: 2, memoryMiB: 1_024, diskGiB: 50, fargate: { cpu: 2_048, memory: 4_096 } },
    });
  });

  it('names the field to point at when a value is refused or nothing fits', () => {
    const requests = [
      { cpu: 'lots' },
      { memory: '1G' },
      { disk: '500Gi' },
      { cpu: '32' },
      { cpu: 1_024 },
      { memory: '200Gi' },
    ];
    const lines = requests.map((request) => {
      const result = resolveResources(request);
      return result.ok ? 'fits' : `${JSON.stringify(request)} -> ${result.field}: ${result.message}`;
    });
    expect(lines.join('\n')).toMatchInlineSnapshot(`
      "{"cpu":"lots"} -> cpu: cpu "lots" is not a number of vCPU
      {"memory":"1G"} -> memory: memory "1G" uses the decimal unit "G"; sizes take the binary units Mi (MiB) and Gi (GiB)
      {"disk":"500Gi"} -> disk: disk "500Gi" is more than 200Gi, the most Fargate gives a task
      {"cpu":"32"} -> cpu: no Fargate size has 32 vCPU; the largest is 16 vCPU with 32Gi..120Gi
      {"cpu":1024} -> cpu: no Fargate size has 1024 vCPU; the largest is 16 vCPU with 32Gi..120Gi
      {"memory":"200Gi"} -> memory: no Fargate size has 200Gi of memory; the largest is 16 vCPU with 32Gi..120Gi"
    `);
  });

  it('reports a bad default as the failing field', () => {
    const result = resolveResources({ cpu: '1' }, { memory: '2G' });

    expect(result).toStrictEqual({
      ok: false,
      field: 'memory',
      message: 'memory "2G" uses the decimal unit "G"; sizes take the binary units Mi (MiB) and Gi (GiB)',
      hint: 'write "2Gi"',
    });
  });
});

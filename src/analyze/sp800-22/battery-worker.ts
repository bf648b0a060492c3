/**
 * piscina worker: runs the SP 800-22 battery on one sequence. The sequence arrives packed (MSB first)
 * so a 1,000,000-bit sequence costs 125 kB to send instead of 1 MB.
 */
import { type BatteryOptions, runSp80022 } from './battery.js';
import { bitsFromBytesAt } from './bits.js';
import type { Sp80022Result } from './types.js';

export interface BatteryTask {
  /** Bytes holding the sequence, which starts `bitOffset` bits into them (0–7). */
  packed: Uint8Array;
  bitOffset: number;
  nBits: number;
  options: BatteryOptions;
}

export default function runBatteryTask(task: BatteryTask): Sp80022Result[] {
  return runSp80022(bitsFromBytesAt(task.packed, task.bitOffset, task.nBits), task.options);
}

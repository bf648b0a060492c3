/**
 * piscina worker: runs the SP 800-22 battery on one sequence. The sequence arrives packed (MSB first)
 * so a 1,000,000-bit sequence costs 125 kB to send instead of 1 MB.
 */
import { type BatteryOptions, runSp80022 } from './battery.js';
import { bitsFromBytes } from './bits.js';
import type { Sp80022Result } from './types.js';

export interface BatteryTask {
  packed: Uint8Array;
  nBits: number;
  options: BatteryOptions;
}

export default function runBatteryTask(task: BatteryTask): Sp80022Result[] {
  return runSp80022(bitsFromBytes(task.packed, task.nBits), task.options);
}

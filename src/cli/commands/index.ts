import type { CommandModule } from 'yargs';
import { scanCommand } from './scan.js';

/** Every `oe` command; each lives in its own file. */
// biome-ignore lint/suspicious/noExplicitAny: yargs command modules have heterogeneous argument types
export const commands: CommandModule<any, any>[] = [scanCommand];

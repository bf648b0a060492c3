/** Entry for `tsx src/cli/run.ts …` during development (the published bin runs dist/cli/main.js). */
import { main } from './main.js';

await main();

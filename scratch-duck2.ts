import { queryColumns } from './src/db/index.js';
const r = await queryColumns(`SELECT current_setting('enable_external_file_cache')::VARCHAR AS v`);
console.log(r.columns.v);

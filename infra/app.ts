/**
 * Entry point: `node dist/infra/app.js` (npm run synth) writes the template to cdk.out/ offline,
 * with no CDK CLI, Docker or network; `cdk deploy` runs the same file (cdk.json) and passes its
 * own output folder in CDK_OUTDIR.
 */
import { join } from 'node:path';
import { synthEventlake } from './eventlake-app.js';
import { REPO_ROOT } from './repo-root.js';

synthEventlake(process.env['CDK_OUTDIR'] ?? join(REPO_ROOT, 'cdk.out'));

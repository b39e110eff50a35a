/** A lake on an S3 bucket (being built in this change). */
import { UserError } from '../../errors/user-error.js';

export class S3LakeStorage {
  constructor(bucket: string, prefix: string) {
    throw new UserError(`s3://${bucket}/${prefix} cannot be written yet`);
  }
}

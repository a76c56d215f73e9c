import { RtmpError } from '../errors';

export type FlvErrorCode =
  | 'FLV_BAD_SIGNATURE'
  | 'FLV_BAD_VERSION'
  | 'FLV_BAD_HEADER_SIZE'
  | 'FLV_ENCRYPTED_TAG'
  | 'FLV_BAD_BACK_POINTER'
  | 'FLV_TRUNCATED'
  | 'FLV_READER_ENDED';

/**
 * Every failure of the FLV file reader (FLV v10.1 Annex E): category 'media', always fatal for
 * the file being read (a damaged container cannot be resynchronised reliably: tag sizes are the
 * only framing). `details.offset` is the byte offset in the file where the problem is.
 */
export class FlvError extends RtmpError {
  declare readonly code: FlvErrorCode;

  constructor(code: FlvErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, { category: 'media', fatal: true, details });
    this.name = 'FlvError';
  }
}

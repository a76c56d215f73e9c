import { CodedError } from '@rtmp-web/bytes';

/**
 * Stable codes of the inspector. Import errors name the JSON path that failed so a person can
 * see what is wrong with a file. (FLV files are read by @rtmp-web/rtmp's FlvReader, whose
 * FlvError codes name the byte offset.)
 */
export type InspectorErrorCode =
  | 'INSPECTOR_IMPORT_NOT_JSON'
  | 'INSPECTOR_IMPORT_WRONG_FORMAT'
  | 'INSPECTOR_IMPORT_UNSUPPORTED_VERSION'
  | 'INSPECTOR_IMPORT_INVALID_FIELD'
  | 'INSPECTOR_IMPORT_BAD_BASE64'
  | 'INSPECTOR_INVALID_OPTION';

export class InspectorError extends CodedError {
  declare readonly code: InspectorErrorCode;

  constructor(code: InspectorErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super('inspector', code, message, { fatal: false, details, cause });
    this.name = 'InspectorError';
  }
}

import { ByteReader } from '@rtmp-web/bytes';
import { RtmpError } from '../errors';
import { mediaDecoding } from './media-errors';

/** A VPCodecConfigurationRecord (VP Codec ISO Media File Format Binding §2.2), for vp08 and vp09. */
export interface VpCodecConfigurationRecord {
  profile: number;
  level: number;
  bitDepth: number;
  chromaSubsampling: number;
  videoFullRange: boolean;
  colourPrimaries: number;
  transferCharacteristics: number;
  matrixCoefficients: number;
  codecInitializationData: Uint8Array;
  /** "vp09.PP.LL.DD" (or vp08). */
  codecString: string;
}

/**
 * Parses the record. FFmpeg's E-RTMP muxer sends the whole "vpcC" FullBox payload, i.e. the record
 * behind a version byte (1) and 3 flag bytes (0); that prefix is recognised and skipped.
 */
export function parseVpcc(data: Uint8Array, fourCc: 'vp08' | 'vp09' = 'vp09'): VpCodecConfigurationRecord {
  return mediaDecoding('VPCodecConfigurationRecord', () => {
    const reader = new ByteReader(data);
    if (data.length >= 12 && data[0] === 1 && data[1] === 0 && data[2] === 0 && data[3] === 0) reader.skip(4);
    const profile = reader.u8();
    const level = reader.u8();
    const packed = reader.u8();
    const record: VpCodecConfigurationRecord = {
      profile,
      level,
      bitDepth: packed >>> 4,
      chromaSubsampling: (packed >>> 1) & 0x07,
      videoFullRange: (packed & 1) === 1,
      colourPrimaries: reader.u8(),
      transferCharacteristics: reader.u8(),
      matrixCoefficients: reader.u8(),
      codecInitializationData: new Uint8Array(0),
      codecString: '',
    };
    record.codecInitializationData = reader.bytesView(reader.u16());
    if (record.bitDepth !== 8 && record.bitDepth !== 10 && record.bitDepth !== 12) {
      throw new RtmpError('MEDIA_MALFORMED', `VP codec configuration with bit depth ${record.bitDepth}`);
    }
    const two = (n: number) => String(n).padStart(2, '0');
    record.codecString = `${fourCc}.${two(profile)}.${two(level)}.${two(record.bitDepth)}`;
    return record;
  });
}

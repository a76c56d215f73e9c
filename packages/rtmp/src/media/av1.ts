import { RtmpError } from '../errors';
import { BitReader } from './bit-reader';
import { mediaDecoding } from './media-errors';

/** An AV1CodecConfigurationRecord (AV1 Codec ISO Media File Format Binding §2.3). */
export interface Av1CodecConfigurationRecord {
  version: number;
  profile: number;
  levelIdx: number;
  tier: 0 | 1;
  bitDepth: 8 | 10 | 12;
  monochrome: boolean;
  chromaSubsamplingX: boolean;
  chromaSubsamplingY: boolean;
  chromaSamplePosition: number;
  /** The configOBUs (normally a sequence header OBU), a view into the input. */
  configObus: Uint8Array;
  /** From the sequence header OBU's max_frame_width/height, when present. */
  width?: number;
  height?: number;
  /** "av01.P.LLT.DD" (AV1 codec ISO binding, Codecs Parameter String). */
  codecString: string;
}

export function parseAv1CodecConfigurationRecord(data: Uint8Array): Av1CodecConfigurationRecord {
  return mediaDecoding('AV1CodecConfigurationRecord', () => {
    if (data.length < 4) throw new RtmpError('MEDIA_MALFORMED', `AV1CodecConfigurationRecord of ${data.length} bytes is shorter than 4`);
    const bits = new BitReader(data, 'AV1CodecConfigurationRecord');
    const marker = bits.bits(1);
    const version = bits.bits(7);
    if (marker !== 1) throw new RtmpError('MEDIA_MALFORMED', 'AV1CodecConfigurationRecord marker bit is 0');
    const profile = bits.bits(3);
    const levelIdx = bits.bits(5);
    const tier = bits.bits(1) as 0 | 1;
    const highBitdepth = bits.flag();
    const twelveBit = bits.flag();
    const monochrome = bits.flag();
    const chromaSubsamplingX = bits.flag();
    const chromaSubsamplingY = bits.flag();
    const chromaSamplePosition = bits.bits(2);
    const bitDepth: 8 | 10 | 12 = highBitdepth ? (twelveBit ? 12 : 10) : 8;
    const configObus = data.subarray(4);
    const record: Av1CodecConfigurationRecord = {
      version,
      profile,
      levelIdx,
      tier,
      bitDepth,
      monochrome,
      chromaSubsamplingX,
      chromaSubsamplingY,
      chromaSamplePosition,
      configObus,
      codecString: `av01.${profile}.${String(levelIdx).padStart(2, '0')}${tier ? 'H' : 'M'}.${String(bitDepth).padStart(2, '0')}`,
    };
    const size = findSequenceHeaderSize(configObus);
    if (size) {
      record.width = size.width;
      record.height = size.height;
    }
    return record;
  });
}

/** Walks OBUs (AV1 §5.3) to the first sequence header and reads its maximum frame size. */
export function findSequenceHeaderSize(obus: Uint8Array): { width: number; height: number } | undefined {
  let offset = 0;
  while (offset < obus.length) {
    const bits = new BitReader(obus.subarray(offset), 'AV1 OBU');
    bits.skip(1); // obu_forbidden_bit
    const type = bits.bits(4);
    const hasExtension = bits.flag();
    const hasSize = bits.flag();
    bits.skip(1);
    if (hasExtension) bits.skip(8);
    let size = obus.length - offset - bits.bytePosition;
    if (hasSize) size = leb128(bits);
    const payloadStart = offset + bits.bytePosition;
    if (payloadStart + size > obus.length) throw new RtmpError('MEDIA_MALFORMED', 'AV1 OBU runs past the end of its buffer');
    if (type === 1) return sequenceHeaderSize(new BitReader(obus.subarray(payloadStart, payloadStart + size), 'AV1 sequence header'));
    offset = payloadStart + size;
  }
  return undefined;
}

function leb128(bits: BitReader): number {
  let value = 0;
  for (let i = 0; i < 8; i++) {
    const byte = bits.bits(8);
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) break;
  }
  return value;
}

/** sequence_header_obu() (AV1 §5.5.1) as far as max_frame_height_minus_1. */
function sequenceHeaderSize(bits: BitReader): { width: number; height: number } {
  bits.skip(3); // seq_profile
  bits.skip(1); // still_picture
  const reducedStillPictureHeader = bits.flag();
  if (reducedStillPictureHeader) {
    bits.skip(5); // seq_level_idx[0]
  } else {
    const timingInfoPresent = bits.flag();
    let decoderModelInfoPresent = false;
    let bufferDelayLength = 0;
    if (timingInfoPresent) {
      bits.skip(32); // num_units_in_display_tick
      bits.skip(32); // time_scale
      if (bits.flag()) bits.uvlc(); // equal_picture_interval -> num_ticks_per_picture_minus_1
      decoderModelInfoPresent = bits.flag();
      if (decoderModelInfoPresent) {
        bufferDelayLength = bits.bits(5) + 1;
        bits.skip(32); // num_units_in_decoding_tick
        bits.skip(5); // buffer_removal_time_length_minus_1
        bits.skip(5); // frame_presentation_time_length_minus_1
      }
    }
    const initialDisplayDelayPresent = bits.flag();
    const operatingPoints = bits.bits(5) + 1;
    for (let i = 0; i < operatingPoints; i++) {
      bits.skip(12); // operating_point_idc
      const level = bits.bits(5);
      if (level > 7) bits.skip(1); // seq_tier
      if (decoderModelInfoPresent && bits.flag()) {
        bits.skip(bufferDelayLength); // decoder_buffer_delay
        bits.skip(bufferDelayLength); // encoder_buffer_delay
        bits.skip(1); // low_delay_mode_flag
      }
      if (initialDisplayDelayPresent && bits.flag()) bits.skip(4);
    }
  }
  const widthBits = bits.bits(4) + 1;
  const heightBits = bits.bits(4) + 1;
  return { width: bits.bits(widthBits) + 1, height: bits.bits(heightBits) + 1 };
}

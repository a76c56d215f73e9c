import { ByteReader } from '@rtmp-web/bytes';
import { RtmpError } from '../errors';
import { BitReader, hex2, unescapeRbsp } from './bit-reader';
import { mediaDecoding } from './media-errors';

/** Facts read from an H.264 sequence parameter set (H.264 §7.3.2.1.1). */
export interface AvcSpsInfo {
  profile: number;
  constraintFlags: number;
  level: number;
  /** 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4. */
  chromaFormat: number;
  bitDepthLuma: number;
  bitDepthChroma: number;
  frameMbsOnly: boolean;
  /** Display size: coded size minus the frame cropping rectangle. */
  width: number;
  height: number;
}

/** An AVCDecoderConfigurationRecord (ISO/IEC 14496-15 §5.3.3.1), the body of an AVC sequence header. */
export interface AvcDecoderConfigurationRecord {
  version: number;
  profile: number;
  compat: number;
  level: number;
  /** Bytes in each NAL unit length prefix of the coded frames (1, 2 or 4). */
  nalLengthSize: number;
  sps: Uint8Array[];
  pps: Uint8Array[];
  width: number;
  height: number;
  /** RFC 6381 codec string, e.g. "avc1.64001f". */
  codecString: string;
  spsInfo: AvcSpsInfo;
}

/** Parses an AVCDecoderConfigurationRecord and its first SPS. NAL units are views into `data`. */
export function parseAvcDecoderConfigurationRecord(data: Uint8Array): AvcDecoderConfigurationRecord {
  return mediaDecoding('AVCDecoderConfigurationRecord', () => {
    const reader = new ByteReader(data);
    const version = reader.u8();
    const profile = reader.u8();
    const compat = reader.u8();
    const level = reader.u8();
    const nalLengthSize = (reader.u8() & 0x03) + 1;
    const sps: Uint8Array[] = [];
    const spsCount = reader.u8() & 0x1f;
    for (let i = 0; i < spsCount; i++) sps.push(reader.bytesView(reader.u16()));
    const pps: Uint8Array[] = [];
    const ppsCount = reader.u8();
    for (let i = 0; i < ppsCount; i++) pps.push(reader.bytesView(reader.u16()));
    // High-profile records may carry chroma format and bit depths after this; the SPS says the same.
    if (sps.length === 0) throw new RtmpError('MEDIA_MALFORMED', 'AVCDecoderConfigurationRecord holds no SPS');
    const spsInfo = parseAvcSps(sps[0]!);
    return {
      version,
      profile,
      compat,
      level,
      nalLengthSize,
      sps,
      pps,
      width: spsInfo.width,
      height: spsInfo.height,
      codecString: `avc1.${hex2(profile)}${hex2(compat)}${hex2(level)}`,
      spsInfo,
    };
  });
}

/** Profiles whose SPS carries chroma format, bit depths and scaling matrices (H.264 §7.3.2.1.1). */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** Parses an H.264 SPS NAL unit (with its 1-byte NAL header) up to the frame cropping fields. */
export function parseAvcSps(nal: Uint8Array): AvcSpsInfo {
  return mediaDecoding('H.264 SPS', () => {
    const bits = new BitReader(unescapeRbsp(nal), 'H.264 SPS');
    const nalType = bits.bits(8) & 0x1f;
    if (nalType !== 7) throw new RtmpError('MEDIA_MALFORMED', `NAL unit type ${nalType} is not an SPS (7)`);
    const profile = bits.bits(8);
    const constraintFlags = bits.bits(8);
    const level = bits.bits(8);
    bits.ue(); // seq_parameter_set_id
    let chromaFormat = 1;
    let separateColourPlane = false;
    let bitDepthLuma = 8;
    let bitDepthChroma = 8;
    if (HIGH_PROFILES.has(profile)) {
      chromaFormat = bits.ue();
      if (chromaFormat === 3) separateColourPlane = bits.flag();
      bitDepthLuma = bits.ue() + 8;
      bitDepthChroma = bits.ue() + 8;
      bits.skip(1); // qpprime_y_zero_transform_bypass_flag
      if (bits.flag()) {
        // seq_scaling_matrix_present_flag: 8 lists (12 for 4:4:4), 4x4 ones of 16 entries, then 8x8 of 64.
        const lists = chromaFormat === 3 ? 12 : 8;
        for (let i = 0; i < lists; i++) if (bits.flag()) skipScalingList(bits, i < 6 ? 16 : 64);
      }
    }
    bits.ue(); // log2_max_frame_num_minus4
    const pocType = bits.ue();
    if (pocType === 0) {
      bits.ue(); // log2_max_pic_order_cnt_lsb_minus4
    } else if (pocType === 1) {
      bits.skip(1); // delta_pic_order_always_zero_flag
      bits.se(); // offset_for_non_ref_pic
      bits.se(); // offset_for_top_to_bottom_field
      const cycle = bits.ue();
      for (let i = 0; i < cycle; i++) bits.se();
    }
    bits.ue(); // max_num_ref_frames
    bits.skip(1); // gaps_in_frame_num_value_allowed_flag
    const widthInMbs = bits.ue() + 1;
    const heightInMapUnits = bits.ue() + 1;
    const frameMbsOnly = bits.flag();
    if (!frameMbsOnly) bits.skip(1); // mb_adaptive_frame_field_flag
    bits.skip(1); // direct_8x8_inference_flag
    let cropLeft = 0;
    let cropRight = 0;
    let cropTop = 0;
    let cropBottom = 0;
    if (bits.flag()) {
      cropLeft = bits.ue();
      cropRight = bits.ue();
      cropTop = bits.ue();
      cropBottom = bits.ue();
    }
    // §7.4.2.1.1: crop units depend on ChromaArrayType (0 when colour planes are separate).
    const chromaArrayType = separateColourPlane ? 0 : chromaFormat;
    const subWidthC = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
    const subHeightC = chromaArrayType === 1 ? 2 : 1;
    const fieldFactor = frameMbsOnly ? 1 : 2;
    const cropUnitX = chromaArrayType === 0 ? 1 : subWidthC;
    const cropUnitY = chromaArrayType === 0 ? fieldFactor : subHeightC * fieldFactor;
    const width = widthInMbs * 16 - cropUnitX * (cropLeft + cropRight);
    const height = heightInMapUnits * 16 * fieldFactor - cropUnitY * (cropTop + cropBottom);
    if (width <= 0 || height <= 0) throw new RtmpError('MEDIA_MALFORMED', `H.264 SPS crops the picture to ${width}x${height}`);
    return { profile, constraintFlags, level, chromaFormat, bitDepthLuma, bitDepthChroma, frameMbsOnly, width, height };
  });
}

/** scaling_list() (H.264 §7.3.2.1.1.1): only its length matters here. */
function skipScalingList(bits: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) {
      next = (last + bits.se() + 256) % 256;
    }
    last = next === 0 ? last : next;
  }
}

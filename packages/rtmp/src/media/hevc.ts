import { ByteReader } from '@rtmp-web/bytes';
import { RtmpError } from '../errors';
import { BitReader, unescapeRbsp } from './bit-reader';
import { mediaDecoding } from './media-errors';

export interface HevcNalArray {
  /** NAL unit type: 32 VPS, 33 SPS, 34 PPS, 39/40 SEI. */
  type: number;
  complete: boolean;
  units: Uint8Array[];
}

/** An HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 §8.3.3.1). */
export interface HevcDecoderConfigurationRecord {
  version: number;
  profileSpace: number;
  tierFlag: boolean;
  profileIdc: number;
  compatibilityFlags: number;
  /** The 6 bytes of general constraint indicator flags. */
  constraintFlags: Uint8Array;
  levelIdc: number;
  chromaFormat: number;
  bitDepthLuma: number;
  bitDepthChroma: number;
  nalLengthSize: number;
  arrays: HevcNalArray[];
  /** From the first SPS, when there is one. */
  width?: number;
  height?: number;
  /** RFC 6381 / ISO/IEC 14496-15 Annex E codec string, e.g. "hvc1.1.6.L93.B0". */
  codecString: string;
}

export function parseHevcDecoderConfigurationRecord(data: Uint8Array): HevcDecoderConfigurationRecord {
  return mediaDecoding('HEVCDecoderConfigurationRecord', () => {
    const reader = new ByteReader(data);
    const version = reader.u8();
    const b1 = reader.u8();
    const profileSpace = b1 >>> 6;
    const tierFlag = (b1 & 0x20) !== 0;
    const profileIdc = b1 & 0x1f;
    const compatibilityFlags = reader.u32();
    const constraintFlags = reader.bytesView(6);
    const levelIdc = reader.u8();
    reader.skip(2); // min_spatial_segmentation_idc
    reader.skip(1); // parallelismType
    const chromaFormat = reader.u8() & 0x03;
    const bitDepthLuma = (reader.u8() & 0x07) + 8;
    const bitDepthChroma = (reader.u8() & 0x07) + 8;
    reader.skip(2); // avgFrameRate
    const nalLengthSize = (reader.u8() & 0x03) + 1;
    const arrays: HevcNalArray[] = [];
    const arrayCount = reader.u8();
    for (let i = 0; i < arrayCount; i++) {
      const header = reader.u8();
      const count = reader.u16();
      const units: Uint8Array[] = [];
      for (let j = 0; j < count; j++) units.push(reader.bytesView(reader.u16()));
      arrays.push({ type: header & 0x3f, complete: (header & 0x80) !== 0, units });
    }
    const record: HevcDecoderConfigurationRecord = {
      version,
      profileSpace,
      tierFlag,
      profileIdc,
      compatibilityFlags,
      constraintFlags,
      levelIdc,
      chromaFormat,
      bitDepthLuma,
      bitDepthChroma,
      nalLengthSize,
      arrays,
      codecString: hevcCodecString('hvc1', profileSpace, profileIdc, compatibilityFlags, tierFlag, levelIdc, constraintFlags),
    };
    const sps = arrays.find((a) => a.type === 33)?.units[0];
    if (sps) {
      const size = parseHevcSpsSize(sps);
      record.width = size.width;
      record.height = size.height;
    }
    return record;
  });
}

/**
 * ISO/IEC 14496-15 Annex E.3: profile space letter and profile, the 32 compatibility flags in
 * reverse bit order as hex, tier and level, then the constraint bytes with trailing zeros dropped.
 */
export function hevcCodecString(
  sample: 'hvc1' | 'hev1',
  profileSpace: number,
  profileIdc: number,
  compatibilityFlags: number,
  tierFlag: boolean,
  levelIdc: number,
  constraintFlags: Uint8Array,
): string {
  let reversed = 0;
  for (let i = 0; i < 32; i++) if (compatibilityFlags & (1 << i)) reversed |= 1 << (31 - i);
  const space = ['', 'A', 'B', 'C'][profileSpace] ?? '';
  let last = constraintFlags.length;
  while (last > 0 && constraintFlags[last - 1] === 0) last--;
  const constraints = Array.from(constraintFlags.subarray(0, last), (b) => '.' + b.toString(16).toUpperCase()).join('');
  return `${sample}.${space}${profileIdc}.${(reversed >>> 0).toString(16).toUpperCase()}.${tierFlag ? 'H' : 'L'}${levelIdc}${constraints}`;
}

/** Display size from an H.265 SPS (H.265 §7.3.2.2): luma size minus the conformance window. */
export function parseHevcSpsSize(nal: Uint8Array): { width: number; height: number } {
  return mediaDecoding('H.265 SPS', () => {
    const bits = new BitReader(unescapeRbsp(nal), 'H.265 SPS');
    const nalType = (bits.bits(16) >>> 9) & 0x3f;
    if (nalType !== 33) throw new RtmpError('MEDIA_MALFORMED', `NAL unit type ${nalType} is not an SPS (33)`);
    bits.skip(4); // sps_video_parameter_set_id
    const maxSubLayersMinus1 = bits.bits(3);
    bits.skip(1); // sps_temporal_id_nesting_flag
    // profile_tier_level(1, maxSubLayersMinus1), §7.3.3: 88 bits of general profile, 8 of level.
    bits.skip(96);
    const subLayerProfile: boolean[] = [];
    const subLayerLevel: boolean[] = [];
    for (let i = 0; i < maxSubLayersMinus1; i++) {
      subLayerProfile.push(bits.flag());
      subLayerLevel.push(bits.flag());
    }
    if (maxSubLayersMinus1 > 0) for (let i = maxSubLayersMinus1; i < 8; i++) bits.skip(2);
    for (let i = 0; i < maxSubLayersMinus1; i++) {
      if (subLayerProfile[i]) bits.skip(88);
      if (subLayerLevel[i]) bits.skip(8);
    }
    bits.ue(); // sps_seq_parameter_set_id
    const chromaFormat = bits.ue();
    let separateColourPlane = false;
    if (chromaFormat === 3) separateColourPlane = bits.flag();
    let width = bits.ue();
    let height = bits.ue();
    if (bits.flag()) {
      // conformance_window_flag: offsets in chroma units (Table 6-1 SubWidthC/SubHeightC).
      const chromaArrayType = separateColourPlane ? 0 : chromaFormat;
      const subWidthC = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
      const subHeightC = chromaArrayType === 1 ? 2 : 1;
      const left = bits.ue();
      const right = bits.ue();
      const top = bits.ue();
      const bottom = bits.ue();
      width -= subWidthC * (left + right);
      height -= subHeightC * (top + bottom);
    }
    if (width <= 0 || height <= 0) throw new RtmpError('MEDIA_MALFORMED', `H.265 SPS gives a ${width}x${height} picture`);
    return { width, height };
  });
}

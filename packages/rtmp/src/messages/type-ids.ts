/**
 * RTMP message type ids (RTMP 1.0 §5.4, §7.1) as plain constants. The codecs and the session
 * compare against these because bundlers inline them, which they do not do for a table's
 * properties; `MessageType` in ../types is the public table, built from these.
 */
export const MSG_SET_CHUNK_SIZE = 1;
export const MSG_ABORT = 2;
export const MSG_ACKNOWLEDGEMENT = 3;
export const MSG_USER_CONTROL = 4;
export const MSG_WINDOW_ACK_SIZE = 5;
export const MSG_SET_PEER_BANDWIDTH = 6;
export const MSG_AUDIO = 8;
export const MSG_VIDEO = 9;
export const MSG_DATA_AMF3 = 15;
export const MSG_SHARED_OBJECT_AMF3 = 16;
export const MSG_COMMAND_AMF3 = 17;
export const MSG_DATA_AMF0 = 18;
export const MSG_SHARED_OBJECT_AMF0 = 19;
export const MSG_COMMAND_AMF0 = 20;
export const MSG_AGGREGATE = 22;

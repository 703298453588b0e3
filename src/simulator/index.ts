export { startSimulator } from './simulator-server.js';
export { VENDOR_NAMES, type VendorName } from './behavior.js';
export type {
  DecodedImageInfo,
  ImageInfo,
  ReceivedRequest,
  Simulator,
  SimulatorBehavior,
  SimulatorOptions,
  SimulatorRule,
  SimulatorRuleMatch,
  UrlImageInfo,
} from './types.js';

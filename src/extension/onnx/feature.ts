import type { Feature } from '../features';

export const onnxFeature: Feature = {
  id: 'onnx',
  activate() {
    // registered by the onnx feature
  },
};

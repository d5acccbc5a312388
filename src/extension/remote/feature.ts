import type { Feature } from '../features';

export const remoteFeature: Feature = {
  id: 'remote',
  activate() {
    // registered by the remote feature
  },
};

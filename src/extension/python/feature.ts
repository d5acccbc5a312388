import type { Feature } from '../features';

export const pythonFeature: Feature = {
  id: 'python',
  activate() {
    // registered by the python feature
  },
};

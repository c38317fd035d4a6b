import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run build`: one file the standalone site serves (React included); the learner
// dashboard imports src/ instead, with its own React. Tests run React's development build.
export default defineConfig(({ mode }) => ({
  plugins: [react()],
  define: mode === 'test' ? {} : { 'process.env.NODE_ENV': '"production"' },
  build: {
    outDir: '../../conf/devsite/widget',
    emptyOutDir: true,
    lib: {
      entry: 'src/index.jsx',
      name: 'ElearnMyTraining',
      formats: ['iife'],
      fileName: () => 'my-training.js',
    },
  },
  test: { environment: 'jsdom' },
}));

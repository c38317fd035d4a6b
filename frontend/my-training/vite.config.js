import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';


// Two builds:
// - `npm run build` (mode "site"): one file the standalone site serves, React included;
// - `npm run build:lib` (mode "lib"): the learner dashboard's ES module (dist/), with React
//   @edx/frontend-platform and @openedx/paragon left to the dashboard, packed by `npm pack`.
// Tests run React's development build, with stand-ins of frontend-platform and Paragon.
export default defineConfig(({ mode }) => {
  const stub = fileURLToPath(new URL('./test-stubs/@edx/frontend-platform/index.js', import.meta.url));
  const paragon = fileURLToPath(new URL('./test-stubs/@openedx/paragon/index.jsx', import.meta.url));
  const common = { plugins: [react()], test: { environment: 'jsdom' } };
  if (mode === 'test') {
    return {
      ...common,
      resolve: {
        alias: {
          '@edx/frontend-platform/auth': stub,
          '@edx/frontend-platform/i18n': stub,
          '@edx/frontend-platform': stub,
          '@openedx/paragon': paragon,
        },
      },
    };
  }
  if (mode === 'lib') {
    return {
      ...common,
      build: {
        outDir: 'dist',
        emptyOutDir: true,
        lib: { entry: 'src/dashboard.jsx', formats: ['es'], fileName: () => 'index.js' },
        rollupOptions: {
          external: [
            /^react(\/.*)?$/,
            /^react-dom(\/.*)?$/,
            /^@edx\/frontend-platform(\/.*)?$/,
            /^@openedx\/paragon(\/.*)?$/,
          ],
        },
      },
    };
  }
  return {
    ...common,
    define: { 'process.env.NODE_ENV': '"production"' },
    build: {
      outDir: '../../conf/devsite/widget',
      emptyOutDir: false,
      lib: {
        entry: 'src/index.jsx',
        name: 'ElearnMyTraining',
        formats: ['iife'],
        fileName: () => 'my-training.js',
      },
    },
  };
});

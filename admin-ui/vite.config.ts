import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import postcssPresetMantine from 'postcss-preset-mantine';
import postcssSimpleVars from 'postcss-simple-vars';

const root = fileURLToPath(new URL('.', import.meta.url));
// Dev server only: where `vite --config admin-ui/vite.config.ts` proxies the admin API.
const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080';

// Built into admin-ui/dist and served by the gateway under /admin (index.html is the
// fallback for client-side routes), so every asset URL must carry the /admin/ prefix.
export default defineConfig({
  root,
  base: '/admin/',
  plugins: [react()],
  css: {
    postcss: {
      plugins: [
        postcssPresetMantine(),
        postcssSimpleVars({
          variables: {
            'mantine-breakpoint-xs': '36em',
            'mantine-breakpoint-sm': '48em',
            'mantine-breakpoint-md': '62em',
            'mantine-breakpoint-lg': '75em',
            'mantine-breakpoint-xl': '88em',
          },
        }),
      ],
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 700,
  },
  server: {
    proxy: {
      '/admin/api': gateway,
      '/admin/auth': gateway,
    },
  },
});

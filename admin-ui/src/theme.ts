import { createTheme } from '@mantine/core';

// System fonts only (the console must work offline, no web fonts); CJK faces first so
// Chinese text does not fall back to a mismatched glyph set.
const fontFamily =
  "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Noto Sans SC', Roboto, 'Helvetica Neue', Arial, sans-serif";

export const theme = createTheme({
  primaryColor: 'indigo',
  defaultRadius: 'md',
  fontFamily,
  headings: { fontFamily },
  fontFamilyMonospace: "ui-monospace, 'SF Mono', 'Cascadia Code', Menlo, Consolas, monospace",
  components: {
    Card: { defaultProps: { withBorder: true, radius: 'md', padding: 'lg' } },
    Paper: { defaultProps: { radius: 'md' } },
    Modal: { defaultProps: { centered: true, overlayProps: { backgroundOpacity: 0.45, blur: 2 } } },
    Tooltip: { defaultProps: { withArrow: true } },
    // Uppercase badges truncate long Chinese/English status words in narrow table cells; and a
    // badge never shrinks (in a nowrap row it would be cut to "Usa…"/"缺…"): the row's text gives way.
    Badge: { defaultProps: { tt: 'none' }, styles: { root: { flexShrink: 0, minWidth: 'max-content' } } },
  },
});

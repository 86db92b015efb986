// Missing keys fall back to English rather than showing a key; tests/unit/locales.test.ts keeps
// every locale complete, so the fallback is only a safety net.
export default defineI18nConfig(() => ({
  legacy: false,
  fallbackLocale: 'en',
  missingWarn: false,
  fallbackWarn: false,
}))

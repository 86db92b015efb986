// The app registration the CLI registers when nothing is configured. Exported so that the
// app's development fallback can use the very same values instead of copying them.

export const defaultClient = {
  clientId: '00000000-0000-4000-8000-00000000a11e',
  clientSecret: 'entra-emulator-dev-secret',
  redirectUris: [
    'http://localhost:3000/api/auth/callback/azure-ad',
    'http://127.0.0.1:3000/api/auth/callback/azure-ad',
  ],
  postLogoutRedirectUris: ['http://localhost:3000/', 'http://127.0.0.1:3000/'],
}

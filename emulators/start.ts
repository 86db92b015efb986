// `npm run emulators`: both stand-ins on their own, dev and tests only, for a server started by
// hand (a built one with APP_ENV=test, or `npm run dev` given their settings). Ports:
// ENTRA_EMULATOR_PORT (3101) and AZURE_OPENAI_EMULATOR_PORT (3102), as `npm run dev` uses.
// Each prints its address on stdout (details on stderr) and stops on Ctrl-C or SIGTERM.
process.env.ENTRA_EMULATOR_PORT ||= '3101'
process.env.AZURE_OPENAI_EMULATOR_PORT ||= '3102'
await import('./entra/cli.ts')
await import('./azure-openai/cli.ts')

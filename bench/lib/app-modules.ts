// Server modules the bench runs in its own process, so that it times the app's own code rather
// than a copy: the hybrid search query (server/documents/search.ts) and document extraction and
// chunking. Server code imports its siblings without a file extension, which Nuxt's bundler
// resolves; plain Node needs the file name, so a resolve hook retries such an import from
// server/ with `.ts`. Only modules free of Nitro's auto-imports can be loaded this way.
import { registerHooks } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const serverDir = pathToFileURL(join(import.meta.dirname, '../../server/')).href

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier.startsWith('.') && !/\.[cm]?[jt]s$/.test(specifier) && context.parentURL?.startsWith(serverDir)) {
      return nextResolve(`${specifier}.ts`, context)
    }
    return nextResolve(specifier, context)
  },
})

// Imported after the hook is in place (a static import would be resolved before it).
export const { searchPassages, SEARCH_CONNECTION_SETTINGS } = await import('../../server/documents/search.ts')
export const { extractDocument } = await import('../../server/documents/extract.ts')
export const { chunkSections } = await import('../../server/documents/chunk.ts')

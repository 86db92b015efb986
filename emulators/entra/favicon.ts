import type { ServerResponse } from 'node:http'

// The account picker's four squares: browsers ask every origin for an icon, and a tab with the
// emulator's page open should say which service it is (not show a 400 in the console).
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 22 22">
<rect x="0" y="0" width="10" height="10" fill="#f25022"/><rect x="12" y="0" width="10" height="10" fill="#7fba00"/>
<rect x="0" y="12" width="10" height="10" fill="#00a4ef"/><rect x="12" y="12" width="10" height="10" fill="#ffb900"/>
</svg>`

export const FAVICON_PATHS = new Set(['/favicon.ico', '/favicon.svg'])

export function serveFavicon(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' })
  res.end(FAVICON_SVG)
}

// next-auth v4 ships `next-auth/core` (sidebase imports it too) but leaves it out of its exports map.
declare module 'next-auth/core' {
  import type { AuthOptions, OutgoingResponse, RequestInternal } from 'next-auth'

  export function AuthHandler(params: { req: RequestInternal, options: AuthOptions }): Promise<OutgoingResponse>
}

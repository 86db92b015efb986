// Each delta carries its leading whitespace so that concatenating the deltas gives back the
// exact text, markdown line breaks and code indentation included.
export function splitIntoDeltas(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? []
}

// Used by the slow trigger to get a predictable number of chunks whatever the reply length.
export function groupDeltas(deltas: string[], target: number): string[] {
  const size = Math.max(1, Math.ceil(deltas.length / target))
  const out: string[] = []
  for (let i = 0; i < deltas.length; i += size) out.push(deltas.slice(i, i + size).join(''))
  return out
}

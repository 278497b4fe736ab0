/**
 * Whether a stored generation of a report still shows the current figures: not if it was
 * generated before its period was over (later days were still to come), nor if an event of
 * the period came in after it (a late submission, a correction). A stale generation is
 * regenerated on download rather than served.
 */
export function generationIsStale(g: {
  generatedAt: Date;
  periodEnd: Date;
  lastActivityAt: Date | null;
}): boolean {
  if (g.generatedAt.getTime() < g.periodEnd.getTime()) return true;
  return g.lastActivityAt !== null && g.lastActivityAt.getTime() > g.generatedAt.getTime();
}

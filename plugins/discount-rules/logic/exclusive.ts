/** A set of promotions that could be applied together, and the order total it would leave. */
export interface Candidate<P> {
    promotions: P[];
    total: number;
}

/**
 * The exclusivity rule: the candidate with the lowest order total (the best for the shopper) wins; on a tie
 * the earlier candidate wins. Callers list the combinable set first, then each exclusive promotion alone in
 * Vendure's priority order (priorityScore ascending), so ties go to the combinable set, then to the higher
 * priority.
 */
export function bestCandidate<P>(candidates: Array<Candidate<P>>): Candidate<P> {
    return candidates.reduce((best, c) => (c.total < best.total ? c : best));
}

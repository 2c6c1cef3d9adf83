package dev.pitwall.trainops.knowledge;

import java.time.Instant;
import java.util.List;

/**
 * What the team knows about one kind of failure.
 *
 * @param symptom    what it looks like: rule names, Xid numbers, the words the logs use; what it is found by
 * @param origin     "seed" for the shipped entries, "incident N" for one written on resolving an incident
 */
public record KnowledgeEntry(long id, String title, String symptom, String rootCause, String fix, List<String> references,
                             String origin, Instant updatedAt) {
}

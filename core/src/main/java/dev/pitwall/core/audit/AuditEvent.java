package dev.pitwall.core.audit;

import java.time.Instant;

/**
 * One recorded action.
 *
 * @param actor   who acted: a user, an API key's tenant, or {@code pitwall} for the system
 * @param action  what was done, as a dotted verb ({@code node.cordon}, {@code key.create})
 * @param subject what it was done to (a node name, a key id)
 * @param detail  free text or JSON with the particulars
 */
public record AuditEvent(long id, Instant occurredAt, String actor, String action, String subject, String detail) {
}

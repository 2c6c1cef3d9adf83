package dev.pitwall.trainops.detect;

import dev.pitwall.trainops.signal.Severity;

/** What an NVIDIA Xid code means, how bad it is, and what to do about it. */
public record XidInfo(int code, Severity severity, String meaning, String action) {
}

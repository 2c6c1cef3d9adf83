package dev.pitwall.gateway.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConcurrencyLimitTest {

    @Test
    void neverGivesMorePermitsThanAFixedLimit() {
        Limiter limiter = ConcurrencyLimit.fixed(2);
        Optional<Permit> first = limiter.tryAcquire();
        assertThat(first).isPresent();
        assertThat(limiter.tryAcquire()).isPresent();
        assertThat(limiter.tryAcquire()).isEmpty();
        assertThat(limiter.inFlight()).isEqualTo(2);
        first.get().success(1_000_000);
        assertThat(limiter.tryAcquire()).isPresent();
    }

    @Test
    void givesAPlaceBackOnceHoweverThePermitEnds() {
        Limiter limiter = ConcurrencyLimit.fixed(3);
        Permit dropped = limiter.tryAcquire().orElseThrow();
        Permit ignored = limiter.tryAcquire().orElseThrow();
        dropped.dropped();
        ignored.ignore();
        assertThat(limiter.inFlight()).isZero();
        // Ending a permit twice must not hand out a place nobody gave back.
        dropped.success(1_000_000);
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.limit()).isEqualTo(3);
    }

    @Test
    void refusesALimitBelowOne() {
        assertThatThrownBy(() -> ConcurrencyLimit.fixed(0)).isInstanceOf(IllegalArgumentException.class);
    }
}

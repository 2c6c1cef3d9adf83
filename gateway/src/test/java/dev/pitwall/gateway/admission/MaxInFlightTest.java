package dev.pitwall.gateway.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class MaxInFlightTest {

    @Test
    void neverGivesMorePermitsThanItsMax() {
        MaxInFlight limiter = new MaxInFlight(2);
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
        MaxInFlight limiter = new MaxInFlight(3);
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
        assertThatThrownBy(() -> new MaxInFlight(0)).isInstanceOf(IllegalArgumentException.class);
    }
}

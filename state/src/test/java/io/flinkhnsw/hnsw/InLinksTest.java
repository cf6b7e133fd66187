package io.flinkhnsw.hnsw;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InLinksTest {
    @Test
    void everyCountGetsTheSmallestBlockOnTheScaleThatHoldsIt() {
        assertThat(InLinks.classSize(0)).isEqualTo(4);
        for (int count = 1; count <= 1 << 20; count++) {
            int sizeClass = InLinks.sizeClassFor(count);
            assertThat(InLinks.classSize(sizeClass)).as("block for %d", count).isGreaterThanOrEqualTo(count);
            if (sizeClass > 0) {
                assertThat(InLinks.classSize(sizeClass - 1)).as("next smaller block for %d", count).isLessThan(count);
                assertThat(InLinks.classSize(sizeClass)).as("waste for %d", count).isLessThanOrEqualTo(count * 5 / 4 + 1);
            }
        }
        assertThat(InLinks.classSize(InLinks.sizeClassFor(1 << 24))).isEqualTo(1 << 24);
    }
}

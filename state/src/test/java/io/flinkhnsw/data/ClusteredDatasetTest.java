package io.flinkhnsw.data;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ClusteredDatasetTest {
    @Test
    void aStreamIsTheSameForTheSameSeed() {
        assertThat(new ClusteredDataset(8, 4, 0.1f, 3).next(50)).isDeepEqualTo(new ClusteredDataset(8, 4, 0.1f, 3).next(50));
    }

    @Test
    void aForkDrawsNewPointsAroundTheSameCentresDeterministically() {
        int[] streamClusters = new int[200];
        int[] forkClusters = new int[200];
        float[][] stream = new ClusteredDataset(8, 4, 0.01f, 3).next(200, streamClusters);
        float[][] fork = new ClusteredDataset(8, 4, 0.01f, 3).fork().next(200, forkClusters);

        assertThat(fork).isDeepEqualTo(new ClusteredDataset(8, 4, 0.01f, 3).fork().next(200));
        assertThat(fork[0]).isNotEqualTo(stream[0]);
        // with a small spread a point lies next to its centre: the fork's clusters are the stream's
        for (int i = 0; i < fork.length; i++) {
            int j = indexOf(streamClusters, forkClusters[i]);
            assertThat(j).as("fork point %d's cluster also appears in the stream", i).isNotNegative();
            assertThat(distance(fork[i], stream[j])).isLessThan(0.2);
        }
    }

    private static int indexOf(int[] values, int value) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static double distance(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(sum);
    }
}

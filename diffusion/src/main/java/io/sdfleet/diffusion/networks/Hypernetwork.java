package io.sdfleet.diffusion.networks;

import java.util.Map;

/** An A1111 hypernetwork: for each context width it covers, one MLP for keys and one for values. */
record Hypernetwork(String name, Map<Long, KeyValue> byWidth) {

    record KeyValue(HypernetworkModule keys, HypernetworkModule values) {
    }
}

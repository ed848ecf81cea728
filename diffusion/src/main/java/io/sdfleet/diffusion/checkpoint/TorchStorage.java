package io.sdfleet.diffusion.checkpoint;

/**
 * One torch storage named by a pickle's persistent id: its element type, the key under which its bytes are
 * kept (a zip entry name or a legacy-format storage key) and its size in elements. {@code elementOffset} is
 * non-zero only for the legacy format's storage views, which start inside their root storage.
 */
record TorchStorage(String key, StoredType type, long elementCount, long elementOffset) {
}

/**
 * One generation request, as the gateway builds it, the broker carries it and the engine consumes it: small records
 * grouped by concern (prompt, size, batch, noise, sampling, hires fix, img2img, models) with A1111's defaults, its
 * rules (the seed of image k, the hires target size, the second pass's steps) and the checks that name A1111's fields,
 * each written once. Plain records without framework annotations, so Jackson reads and writes them as they are.
 */
package io.sdfleet.request;

/** Input images of requests (init images, masks), stored once by their digest and read by the workers. */
package io.sdfleet.storage.input;

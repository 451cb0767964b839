/*
 * Sightline: placeholder translation unit for a system-library shim.
 * mediasoup's meson.build passes a static library from every bundled
 * dependency to link_whole; with the real code coming from a Debian shared
 * library this one defines no symbols at all, so any number of them can be
 * linked together without clashes.
 */
typedef int sightline_shim_placeholder_t;

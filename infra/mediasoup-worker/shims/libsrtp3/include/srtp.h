/*
 * Sightline: libsrtp 3 -> libsrtp 2 adapter for the mediasoup worker.
 *
 * mediasoup (3.19.x) is written against versatica's libsrtp 3.0 fork, whose
 * protect/unprotect functions take separate input and output buffers with
 * size_t lengths. Debian ships libsrtp 2.5, whose functions work in place on
 * an int length. This header is found first as <srtp.h>; it pulls in the
 * system header and adds C++ overloads with the libsrtp 3 signatures that
 * mediasoup calls, plus the two status codes libsrtp 2 lacks.
 *
 * C++ only: the overloads live next to the C functions of the same names,
 * which keep their C linkage.
 */
#ifndef SIGHTLINE_SRTP3_ADAPTER_H
#define SIGHTLINE_SRTP3_ADAPTER_H

#include <srtp2/srtp.h>

#ifdef __cplusplus

#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>

/* Status codes that only exist in libsrtp 3 (same numeric values). */
constexpr srtp_err_status_t srtp_err_status_buffer_small = static_cast<srtp_err_status_t>(28);
constexpr srtp_err_status_t srtp_err_status_cryptex_err  = static_cast<srtp_err_status_t>(29);

namespace sightline_srtp3_adapter
{
	/*
	 * Copies the packet into the output buffer (libsrtp 2 works in place),
	 * checks that the output buffer can hold the packet plus `reserve` bytes,
	 * runs `fn` on it with an int length and reports the new length.
	 */
	template<typename InPlaceFn>
	inline srtp_err_status_t Run(
	  InPlaceFn fn, const uint8_t* in, size_t inLen, uint8_t* out, size_t* outLen, size_t reserve)
	{
		if (in == nullptr || out == nullptr || outLen == nullptr)
			return srtp_err_status_bad_param;

		if (inLen > static_cast<size_t>(INT_MAX) - reserve)
			return srtp_err_status_bad_param;

		if (*outLen < inLen + reserve)
			return srtp_err_status_buffer_small;

		if (out != in)
			std::memmove(out, in, inLen);

		int len = static_cast<int>(inLen);
		const srtp_err_status_t err = fn(out, &len);

		if (err == srtp_err_status_ok)
			*outLen = static_cast<size_t>(len);

		return err;
	}
} // namespace sightline_srtp3_adapter

/* The adapter has no MKI support; libsrtp 3 callers pass mki_index 0 then. */
inline srtp_err_status_t srtp_protect(
  srtp_t ctx, const uint8_t* rtp, size_t rtpLen, uint8_t* srtp, size_t* srtpLen, size_t mkiIndex)
{
	if (mkiIndex != 0)
		return srtp_err_status_bad_mki;

	return sightline_srtp3_adapter::Run(
	  [ctx](uint8_t* buf, int* len) { return srtp_protect(ctx, buf, len); },
	  rtp,
	  rtpLen,
	  srtp,
	  srtpLen,
	  SRTP_MAX_TRAILER_LEN);
}

/* SRTCP adds the 4-byte E flag + index word on top of the SRTP trailer. */
inline srtp_err_status_t srtp_protect_rtcp(
  srtp_t ctx, const uint8_t* rtcp, size_t rtcpLen, uint8_t* srtcp, size_t* srtcpLen, size_t mkiIndex)
{
	if (mkiIndex != 0)
		return srtp_err_status_bad_mki;

	return sightline_srtp3_adapter::Run(
	  [ctx](uint8_t* buf, int* len) { return srtp_protect_rtcp(ctx, buf, len); },
	  rtcp,
	  rtcpLen,
	  srtcp,
	  srtcpLen,
	  SRTP_MAX_TRAILER_LEN + 4);
}

/* Unprotecting only shrinks the packet: the output must hold the input. */
inline srtp_err_status_t srtp_unprotect(
  srtp_t ctx, const uint8_t* srtp, size_t srtpLen, uint8_t* rtp, size_t* rtpLen)
{
	return sightline_srtp3_adapter::Run(
	  [ctx](uint8_t* buf, int* len) { return srtp_unprotect(ctx, buf, len); },
	  srtp,
	  srtpLen,
	  rtp,
	  rtpLen,
	  0);
}

inline srtp_err_status_t srtp_unprotect_rtcp(
  srtp_t ctx, const uint8_t* srtcp, size_t srtcpLen, uint8_t* rtcp, size_t* rtcpLen)
{
	return sightline_srtp3_adapter::Run(
	  [ctx](uint8_t* buf, int* len) { return srtp_unprotect_rtcp(ctx, buf, len); },
	  srtcp,
	  srtcpLen,
	  rtcp,
	  rtcpLen,
	  0);
}

/* Renamed in libsrtp 3. */
inline srtp_err_status_t srtp_stream_remove(srtp_t session, uint32_t ssrc)
{
	return srtp_remove_stream(session, ssrc);
}

#endif /* __cplusplus */

#endif /* SIGHTLINE_SRTP3_ADAPTER_H */

#pragma once
#pragma GCC system_header

// The one place QuickFIX headers are included (the FIX adapter and the test acceptor use this).
//
// Debian's libquickfix-dev 1.15.1 headers still carry dynamic exception specifications
// (`throw( FieldNotFound )`), which C++17 and later refuse as an error under GCC. They are erased
// here with a function-like macro for the duration of the QuickFIX includes only: exception
// specifications were never part of a function's mangled name before C++17, so the erased
// declarations match the library as built. Every standard header QuickFIX uses is included first,
// so the macro never sees library code. The library was built with std::auto_ptr (SmartPtr), which
// libstdc++ still provides; HAVE_STD_UNIQUE_PTR is left undefined to match it.

#include <algorithm>
#include <cstring>
#include <ctime>
#include <deque>
#include <exception>
#include <fstream>
#include <iostream>
#include <list>
#include <map>
#include <memory>
#include <queue>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#define throw(...)
#define HAVE_SSL 1
#include <quickfix/Application.h>
#include <quickfix/FileLog.h>
#include <quickfix/FileStore.h>
#include <quickfix/Message.h>
#include <quickfix/SSLSocketInitiator.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/SocketAcceptor.h>
#include <quickfix/SocketInitiator.h>
#include <quickfix/ThreadedSSLSocketInitiator.h>
#include <quickfix/ThreadedSocketInitiator.h>
#include <quickfix/fix44/ExecutionReport.h>
#include <quickfix/fix44/MultilegOrderCancelReplace.h>
#include <quickfix/fix44/NewOrderMultileg.h>
#include <quickfix/fix44/NewOrderSingle.h>
#include <quickfix/fix44/OrderCancelReject.h>
#include <quickfix/fix44/OrderCancelReplaceRequest.h>
#include <quickfix/fix44/OrderCancelRequest.h>
#include <quickfix/fix44/OrderMassCancelRequest.h>
#include <quickfix/fix44/OrderMassStatusRequest.h>
#undef HAVE_SSL
#undef throw
